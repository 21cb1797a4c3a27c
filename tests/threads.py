"""Running test workers in parallel threads against the real database."""

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def threads_run(*, workers: Sequence[Callable[[threading.Barrier], None]]) -> list[BaseException]:
    """Run each worker in its own thread (and database connection); return what they raised.

    Workers get a barrier shared by all of them, to start their requests at the same moment.
    """
    barrier = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def run(worker: Callable[[threading.Barrier], None]) -> None:
        try:
            worker(barrier)
        except BaseException as exc:  # collected for the test to assert on
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures
