"""A small in-memory GitHub REST API on 127.0.0.1 for check-run and PR-comment tests.

Implements only what aib_pilot.report.github_checks calls, with GitHub's rules that matter:
bearer-token auth, at most 50 annotations per request (422 otherwise), PATCH appending
annotations, page/per_page pagination with Link headers. When GitHub's OpenAPI description is
beside the checkout (tests/github_schemas.py), every request is checked against it: a departure is
answered 422 as GitHub would, and leaving the ``with`` block fails the test that sent it.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeGitHub:
    def __init__(self, token: str = "ghs_fake_installation_token", page_size: int = 2):
        self.token = token
        self.page_size = page_size
        self.read_only = False
        self.check_runs: dict[int, dict] = {}
        self.comments: dict[int, list[dict]] = {}
        self.requests: list[tuple[str, str, dict | None]] = []
        self.headers: list[dict] = []
        from tests import github_schemas

        self.schemas = github_schemas.load()
        self.schema_problems: list[str] = []
        self._next_id = 1000
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        if self.schema_problems and exc[0] is None:
            raise AssertionError("requests that depart from GitHub's REST description:\n"
                                 + "\n".join(self.schema_problems))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_comment(self, pr: int, body: str) -> int:
        comment = {"id": self.new_id(), "body": body}
        self.comments.setdefault(pr, []).append(comment)
        return comment["id"]

    def writes(self, method: str | None = None) -> list[tuple[str, str, dict | None]]:
        return [r for r in self.requests if r[0] != "GET" and (method is None or r[0] == method)]

    # -- routing -------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict, body: dict | None, auth: str | None):
        if auth != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, None
        if method != "GET" and self.read_only:
            return 403, {"message": "Resource not accessible by integration"}, None
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        routes = [
            ("GET", repo + r"/commits/(?P<sha>[^/]+)/check-runs", self.list_check_runs),
            ("POST", repo + r"/check-runs", self.create_check_run),
            ("PATCH", repo + r"/check-runs/(?P<id>\d+)", self.update_check_run),
            ("GET", repo + r"/check-runs/(?P<id>\d+)/annotations", self.list_annotations),
            ("GET", repo + r"/issues/(?P<pr>\d+)/comments", self.list_comments),
            ("POST", repo + r"/issues/(?P<pr>\d+)/comments", self.create_comment),
            ("PATCH", repo + r"/issues/comments/(?P<id>\d+)", self.update_comment),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return handler(match.groupdict(), query, body)
        return 404, {"message": "Not Found"}, None

    def page(self, items: list, query: dict, path: str):
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        number = int(query.get("page", ["1"])[0])
        chunk = items[(number - 1) * per_page: number * per_page]
        link = None
        if number * per_page < len(items):
            rest = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "page")
            link = f'<{self.url}{path}?{rest}&page={number + 1}>; rel="next"'
        return chunk, link

    def list_check_runs(self, params, query, body):
        runs = [r for r in self.check_runs.values() if r["head_sha"] == params["sha"]
                and ("check_name" not in query or r["name"] == query["check_name"][0])]
        chunk, link = self.page(runs, query, f"/repos/{params['owner']}/{params['repo']}/commits/{params['sha']}/check-runs")
        return 200, {"total_count": len(runs), "check_runs": [self.public(r) for r in chunk]}, link

    def public(self, run: dict) -> dict:
        return {k: v for k, v in run.items() if k != "annotations"}

    def _annotations(self, body) -> list | None:
        annotations = ((body or {}).get("output") or {}).get("annotations") or []
        if len(annotations) > 50:
            return None
        for a in annotations:
            assert {"path", "start_line", "end_line", "annotation_level", "message"} <= set(a), a
            assert a["annotation_level"] in ("notice", "warning", "failure"), a
        return annotations

    def create_check_run(self, params, query, body):
        if not body.get("name") or not body.get("head_sha"):
            return 422, {"message": "name and head_sha are required"}, None
        annotations = self._annotations(body)
        if annotations is None:
            return 422, {"message": "Only 50 annotations are allowed per request"}, None
        run_id = self.new_id()
        run = {"id": run_id, "html_url": f"https://github.example/checks/{run_id}", "annotations": list(annotations),
               **{k: v for k, v in body.items() if k != "output"},
               "output": {k: v for k, v in (body.get("output") or {}).items() if k != "annotations"}}
        self.check_runs[run_id] = run
        return 201, self.public(run), None

    def update_check_run(self, params, query, body):
        run = self.check_runs.get(int(params["id"]))
        if run is None:
            return 404, {"message": "Not Found"}, None
        annotations = self._annotations(body)
        if annotations is None:
            return 422, {"message": "Only 50 annotations are allowed per request"}, None
        run["annotations"].extend(annotations)
        for key, value in body.items():
            if key == "output":
                run["output"] = {k: v for k, v in value.items() if k != "annotations"}
            else:
                run[key] = value
        return 200, self.public(run), None

    def list_annotations(self, params, query, body):
        run = self.check_runs.get(int(params["id"]))
        if run is None:
            return 404, {"message": "Not Found"}, None
        path = f"/repos/{params['owner']}/{params['repo']}/check-runs/{params['id']}/annotations"
        chunk, link = self.page(run["annotations"], query, path)
        return 200, chunk, link

    def list_comments(self, params, query, body):
        items = self.comments.get(int(params["pr"]), [])
        chunk, link = self.page(items, query, f"/repos/{params['owner']}/{params['repo']}/issues/{params['pr']}/comments")
        return 200, chunk, link

    def create_comment(self, params, query, body):
        comment_id = self.add_comment(int(params["pr"]), body["body"])
        return 201, {"id": comment_id, "body": body["body"]}, None

    def update_comment(self, params, query, body):
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == int(params["id"]):
                    comment["body"] = body["body"]
                    return 200, comment, None
        return 404, {"message": "Not Found"}, None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _serve(self, method: str):
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                query = parse_qs(parsed.query)
                with fake._lock:
                    fake.requests.append((method, parsed.path, body))
                    fake.headers.append(dict(self.headers.items()))
                    problems = fake.schemas.check_request(method, parsed.path, query, body, self.headers) \
                        if fake.schemas else []
                    if problems:
                        fake.schema_problems += [f"{method} {parsed.path}: {p}" for p in problems]
                        status, payload, link = 422, {"message": "Validation Failed", "errors": problems}, None
                    else:
                        status, payload, link = fake.handle(method, parsed.path, query, body,
                                                            self.headers.get("Authorization"))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if link:
                    self.send_header("Link", link)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_PATCH(self):
                self._serve("PATCH")

        return Handler
