"""Gunicorn's settings for this dashboard (read from the working directory, or
`-c gunicorn.conf.py`): its access and error logs mask the tokens of our webhook
receivers' URLs, which are a credential (klentyadmin/lib/hook_tokens.py)."""

from gunicorn.glogging import Logger

from klentyadmin.lib.hook_tokens import RedactHookTokens


class RedactingLogger(Logger):
    """Gunicorn's logger with receiver tokens masked in every line it writes
    (access lines carry the request path; errors name the request's URI)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactHookTokens) for f in log.filters):
                log.addFilter(RedactHookTokens())


logger_class = RedactingLogger
