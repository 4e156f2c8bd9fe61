"""This plugin's gettext functions, bound to its own ``danwei_hospital_safety`` domain."""

from core.api import plugin_translations

gettext, lazy_gettext, ngettext = plugin_translations("hospital_safety")
