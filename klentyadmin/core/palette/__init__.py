"""The command palette (Ctrl-K / Cmd-K): pages, prospects and actions, found as you type.

`providers.PROVIDERS` is the list of what the palette offers; each provider takes the
user and the typed text and returns `Entry`s it has already checked that user may
open. Another kind of entry (saved views, say) is one more function in that list.
`views.palette` answers the browser's requests (static/js/palette.js) with JSON.
"""
