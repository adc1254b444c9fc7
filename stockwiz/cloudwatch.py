"""Shipping log lines to CloudWatch Logs without ever slowing a request.

``CloudWatchHandler`` is watchtower's handler with three changes:

- Each process writes to its own stream, ``{role}/{hostname}-{pid}``.
- Lines wait in a bounded queue that a background thread sends in batches.
  When the queue is full, a new line is dropped instead of blocking the
  request that logged it.
- A batch that cannot be delivered (CloudWatch unreachable, throttling
  after botocore's retries, missing credentials) is dropped and counted in
  ``lost_events`` and in the ``LogEventsLost`` metric. The first loss of a
  process is reported by one warning line on stdout; later losses are only
  counted, so an outage does not flood the local log.

Lines are formatted (JSON, with ``role`` and ``request_id``) in the thread
that logged them; only the sending happens in the background.
"""

import logging
import os
import queue
import socket
import threading
import time
from operator import itemgetter

import boto3
import watchtower
from botocore.config import Config
from botocore.exceptions import ClientError

from stockwiz import metrics
from stockwiz.logging import current_role

logger = logging.getLogger(__name__)

# Loggers whose lines are never shipped: the AWS client's own (a failing
# send would log about itself forever) and this module's loss warning,
# which is meant for the local log only.
_LOCAL_ONLY_LOGGERS = ("botocore", "urllib3", "s3transfer", __name__)

# Short timeouts and few retries: a batch is dropped within seconds rather
# than holding up the queue behind it. botocore backs off on throttling.
_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"max_attempts": 3, "mode": "standard"},
)


def logs_client(region=None):
    """A CloudWatch Logs client from a fresh boto3 session.

    ``AWS_ENDPOINT_URL`` and the usual credential variables are read by
    boto3 itself; a fresh session picks up their current values.
    """
    session = boto3.session.Session(region_name=region or None)
    return session.client("logs", config=_CLIENT_CONFIG)


def stream_name(role=None):
    """``{role}/{hostname}-{pid}``: one stream per role and process."""
    return f"{role or current_role()}/{socket.gethostname()}-{os.getpid()}"


def _shippable(record):
    return not record.name.startswith(_LOCAL_ONLY_LOGGERS)


class CloudWatchHandler(watchtower.CloudWatchLogHandler):
    """Ships formatted log lines to ``log_group_name`` in the background."""

    # How long flush() and close() (at exit) wait for the sender thread.
    FLUSH_TIMEOUT = 10

    def __init__(
        self,
        log_group_name,
        *,
        region=None,
        max_queue_size=10_000,
        send_interval=5,
        max_batch_count=1_000,
        boto3_client=None,
        **kwargs,
    ):
        self.max_queue_size = max_queue_size
        super().__init__(
            log_group_name=log_group_name,
            send_interval=send_interval,
            max_batch_count=max_batch_count,
            boto3_client=boto3_client or logs_client(region),
            # The log group, with its retention, belongs to the
            # infrastructure; creating it here would make one without.
            create_log_group=False,
            **kwargs,
        )
        self.addFilter(_shippable)

    def _init_state(self):
        # Also runs in a forked child (gunicorn workers): fresh queues,
        # threads and counters.
        super()._init_state()
        self.lost_events = 0
        self._loss_reported = False
        self._loss_lock = threading.Lock()

    def _get_stream_name(self, message):
        return stream_name()

    def emit(self, record):
        if self.shutting_down:
            return
        try:
            event = {
                "timestamp": int(record.created * 1000),
                "message": self.format(record),
            }
            limit = self.max_message_size - self.EXTRA_MSG_PAYLOAD_SIZE
            if self._size(event) > limit:
                event["message"] = (
                    event["message"].encode()[:limit].decode("utf-8", "ignore")
                )
            self._queue_for(self._get_stream_name(record)).put_nowait(event)
        except queue.Full:
            self.record_loss(1, "queue full")
        except Exception:  # noqa: BLE001 (a log line must never fail a request)
            self.handleError(record)

    def _queue_for(self, name):
        # emit() runs under the handler's lock, so one queue per stream.
        if name not in self.queues:
            self.queues[name] = queue.Queue(maxsize=self.max_queue_size)
            self.sequence_tokens[name] = None
            sender = threading.Thread(
                target=self._dequeue_batch,
                args=(
                    self.queues[name],
                    name,
                    self.send_interval,
                    self.max_batch_size,
                    self.max_batch_count,
                ),
                name=f"cloudwatch-sender-{name}",
                daemon=True,
            )
            self.threads.append(sender)
            sender.start()
        return self.queues[name]

    def _submit_batch(self, batch, log_stream_name, max_retries=2):
        """Send one batch; on failure drop and count it. Runs in the sender
        thread, so it must never raise."""
        if not batch:
            return
        events = sorted(batch, key=itemgetter("timestamp"))
        try:
            response = self._put(events, log_stream_name)
        except ClientError as exc:
            self.record_loss(len(events), exc.response["Error"].get("Code", "error"))
            return
        except Exception as exc:  # noqa: BLE001 (unreachable, no credentials...)
            self.record_loss(len(events), type(exc).__name__)
            return
        rejected = _rejected_count(response.get("rejectedLogEventsInfo"), events)
        if rejected:
            self.record_loss(rejected, "events rejected")

    def _put(self, events, log_stream_name):
        """``PutLogEvents``, opening the stream on a process's first batch."""
        arguments = {
            "logGroupName": self.log_group_name,
            "logStreamName": log_stream_name,
            "logEvents": events,
        }
        try:
            return self.cwl_client.put_log_events(**arguments)
        except ClientError as exc:
            if exc.response["Error"].get("Code") != "ResourceNotFoundException":
                raise
        try:
            self.cwl_client.create_log_stream(
                logGroupName=self.log_group_name, logStreamName=log_stream_name
            )
        except ClientError as exc:
            # Another handler of this process may have opened it meanwhile.
            if exc.response["Error"].get("Code") != "ResourceAlreadyExistsException":
                raise
        return self.cwl_client.put_log_events(**arguments)

    def record_loss(self, count, reason):
        """Count ``count`` lines that will never reach CloudWatch."""
        with self._loss_lock:
            self.lost_events += count
            first = not self._loss_reported
            self._loss_reported = True
        if first:
            logger.warning(
                "cloudwatch logs shipping failed, dropping lines",
                extra={
                    "log_group": self.log_group_name,
                    "reason": reason,
                    "dropped": count,
                },
            )
        metrics.record_lost_log_events(count)

    def flush(self):
        """Send everything queued now and wait (at most ``FLUSH_TIMEOUT``
        seconds) until it has been sent or dropped."""
        if self.shutting_down:
            return
        deadline = time.monotonic() + self.FLUSH_TIMEOUT
        for pending in list(self.queues.values()):
            try:
                pending.put(self.FLUSH, timeout=self.FLUSH_TIMEOUT)
            except queue.Full:
                continue
            with pending.all_tasks_done:
                pending.all_tasks_done.wait_for(
                    lambda q=pending: q.unfinished_tasks == 0,
                    timeout=max(0, deadline - time.monotonic()),
                )


def _rejected_count(info, events):
    """How many of ``events`` CloudWatch refused (too old, too new or
    expired), from a ``rejectedLogEventsInfo`` answer."""
    if not info:
        return 0
    rejected = set()
    if "tooNewLogEventStartIndex" in info:
        rejected.update(range(info["tooNewLogEventStartIndex"], len(events)))
    for key in ("tooOldLogEventEndIndex", "expiredLogEventEndIndex"):
        if key in info:
            rejected.update(range(info[key]))
    return len(rejected)
