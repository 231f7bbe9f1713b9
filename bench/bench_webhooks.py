"""Art. 19 notices by webhook: the cost of one delivery beside a bare HTTP POST of the same body.

One delivery (`recipient_notice_deliver`) reads the open task and its recipient's
webhook (URL and secret decrypted), builds and signs the notice, checks the
address again, posts it to a receiver on 127.0.0.1 (a threaded http.server in
this process), writes the delivery log row and its audit event and, on the 2xx,
closes the task (history row and audit event). The baseline posts the same
bytes to the same receiver with urllib, and nothing else. Each sample is a new
open task; the bench's tasks and their log are removed afterwards.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

RECIPIENT = "Bench mailing tool"
SMOKE_ARGS = {"repeat": 5}  # tests/bench/test_smoke.py


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def main(contacts: int | None = None, *, repeat: int = 200) -> common.Report:
    from django.test.utils import override_settings
    from django.utils import timezone

    from crm.models import Contact, RecipientEndpoint, RecipientNotification, WebhookDelivery
    from crm.services.webhooks import notice_body, notice_id, recipient_endpoint_save, recipient_notice_deliver

    common.ensure_contacts(contacts or common.bench_size())
    contact_ref = Contact.objects.values_list("pk", flat=True).first() or 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/art19"
    lab = {"WEBHOOK_HTTP_HOSTS": ["127.0.0.1"], "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}
    try:
        with override_settings(**lab):
            RecipientEndpoint.objects.filter(recipient=RECIPIENT).delete()
            endpoint = recipient_endpoint_save(data={"recipient": RECIPIENT, "url": url, "secret": "bench-secret-0123"})
            opened = [
                RecipientNotification.objects.create(contact_ref=contact_ref, recipient=RECIPIENT, cause="erasure")
                for _ in range(repeat + 3)  # the timed ones, two warm-ups, one counted
            ]
            body = notice_body(opened[0], endpoint)
            tasks = iter(opened)

            def deliver() -> None:
                assert recipient_notice_deliver(notification_id=next(tasks).pk) == "delivered"

            def bare_post() -> None:
                request = urllib.request.Request(url, data=body, method="POST")
                urllib.request.urlopen(request, timeout=10).close()

            def post_and_log() -> None:
                bare_post()
                task = next(logged)
                WebhookDelivery.objects.create(
                    notification=task,
                    endpoint=endpoint,
                    attempt=1,
                    notice_id=notice_id(task),
                    attempted_at=timezone.now(),
                    status_code=204,
                    duration_ms=1,
                    outcome="delivered",
                )

            samples = common.time_calls(deliver, repeat=repeat)
            baseline = common.time_calls(bare_post, repeat=repeat)
            logged = iter(opened)
            post_and_log_samples = common.time_calls(post_and_log, repeat=repeat)
            queries = common.count_queries(lambda: recipient_notice_deliver(notification_id=next(tasks).pk))
    finally:
        server.shutdown()
        server.server_close()
        RecipientNotification.objects.filter(recipient=RECIPIENT).delete()
        RecipientEndpoint.objects.filter(recipient=RECIPIENT).delete()
    return common.Report(
        title="Art. 19 notices by webhook",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=[
            common.Metric(
                "One notice delivered (sign, post, log, close the task)",
                samples,
                baseline,
                note=f"{queries} queries; baseline: a bare urllib POST of the same body to the same receiver",
            ),
            common.Metric(
                "The same POST and one committed INSERT of its log row",
                post_and_log_samples,
                baseline,
                note="what a delivery cannot avoid: the POST and one commit; the rest is the task's close and audit",
            ),
        ],
        notes=[
            f"{repeat} deliveries, each to a new open task; receiver on 127.0.0.1 in the same process.",
            f"1-minute load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs shared with other engineers' "
            "test runs while measured: the figures are noisy, the ratios less so.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
