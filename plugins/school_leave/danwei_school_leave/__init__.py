"""Student leave (学生请假): the leave regulation of 篇一 on Danwei's core.

The chain table and the refusals live in :mod:`.rules`; this module wires the plugin into
core through hooks.
"""

#: Hook contract versions this plugin supports.
DANWEI_CONTRACT = ">=1.0,<2"
