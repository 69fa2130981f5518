"""Schemathesis hooks for tools/api-live-test.

`GET /api/v1/events?follow=true` streams until the client goes: a generated case would wait
for events that never come and time out. Every following case is sent as `from=1&limit=1`, so
its response ends after the first event (there is always one: the key's `apikey.created`).
"""
import schemathesis


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    query = case.query if isinstance(case.query, dict) else None
    if query is not None and str(query.get("follow", "")).lower() in ("true", "1", ""):
        if "follow" in query:
            query["from"] = 1
            query["limit"] = 1
