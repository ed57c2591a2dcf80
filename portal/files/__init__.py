"""Checks every stored file goes through, whichever feature stores it: what a file is (`inspection`: safe name,
size, type sniffed from the content against an allow-list), whether it is safe (`scanning`: clamd, quarantine)
and whether the portal has room for it (`quota`: one measure of storage, summed from the sources each app
registers). No models: each app records the facts in its own tables."""
