"""Child process: read a job as JSON on stdin, crawl it, stream result frames on stdout.

Exit code 0 once the crawl ran (whatever the outcomes), 2 for a malformed job. Logs go
to stderr. Scrapy's signal handlers are not installed, so SIGTERM ends the process at
once; the frames already sent are complete, as each is flushed when written. The child ends too
when its parent dies (a `kill -9` of a worker): nobody would record what it fetches, and the job
that is run again elsewhere must not meet it on the same host.
"""

import gc
import os
import sys
import threading
import time
from typing import BinaryIO

from crawler.job import JobError, parse_job
from crawler.process import PARENT_ENV
from crawler.spider import crawl


def main() -> int:
    """Run the child; return its exit code."""
    gc.freeze()  # Scrapy and Twisted, imported above, live as long as the child: no collection need scan them
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())  # the parent's own word: it may be gone already
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    results = _claim_stdout()
    try:
        job = parse_job(sys.stdin.buffer.read())
    except JobError as exc:  # invalid JSON, or not a job
        print(f"crawler: malformed job: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    with results:
        crawl(job, results)
    return 0


def _claim_stdout() -> BinaryIO:
    """Keep the real stdout for result frames; send anything else printed there to stderr."""
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return results


def _exit_with_parent(parent: int) -> None:
    """End the process as soon as it is orphaned (its parent id changes)."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(3)


if __name__ == "__main__":
    sys.exit(main())
