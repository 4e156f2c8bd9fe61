"""This plugin's gettext functions, bound to its own ``danwei_party_building`` domain."""

from core.api import plugin_translations

gettext, lazy_gettext, ngettext = plugin_translations("party_building")
