"""The fault suite: crash points, outages, hostile pages, two daemons, load and security (issue 17)."""
