"""大事记: the township's events, recorded and listed; they mark the charts and the report."""

from views import events, shell

context = shell.setup(__file__)

with shell.guard():
    events.events_page(context)
