"""Error handlers every root URLconf installs, so every error is JSON."""

handler400 = "stockwiz.api.errors.bad_request"
handler403 = "stockwiz.api.errors.permission_denied"
handler404 = "stockwiz.api.errors.not_found"
handler500 = "stockwiz.api.errors.server_error"
