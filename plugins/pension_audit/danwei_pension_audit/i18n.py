"""This plugin's gettext functions, bound to its own ``danwei_pension_audit`` domain."""

from core.api import plugin_translations

gettext, lazy_gettext, ngettext = plugin_translations("pension_audit")
