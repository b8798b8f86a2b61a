"""The web view (`monitor serve`): a face like `monitor/cli/`, over the read models of `monitor.app` only.

Starlette serves the pages (:mod:`monitor.web.pages`, Jinja2 templates with autoescape), the Atom
feeds (:mod:`monitor.web.feeds`) and the read-only JSON API under `/api/v1/` (:mod:`monitor.web.api`);
:mod:`monitor.web.server` puts them together behind one security-header middleware (a Content-Security-
Policy that allows no script at all) and runs them with uvicorn. Every asset ships in the package.
"""
