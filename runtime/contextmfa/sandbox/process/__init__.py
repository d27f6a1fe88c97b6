"""Process isolation for Actions (``[sandbox] isolation = "process"``).

A login's whole flow runs in a pre-forked worker (worker.py) forked from a clean fork server
(zygote.py), confined by resource limits, no_new_privs, Landlock and seccomp (confine.py,
rlimits.py, landlock.py, syscall_filter.py), stopped and replaced when it overruns or crashes
(flow.py, pool.py). Results come back through shared memory as JSON and are checked like
untrusted input (board.py, codec.py); ``api.cache`` calls are served by the parent
(cache_link.py).
"""

from contextmfa.sandbox.process.flow import ProcessFlow, SandboxUnavailable, run_action_isolated

__all__ = ["ProcessFlow", "SandboxUnavailable", "run_action_isolated"]
