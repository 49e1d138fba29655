"""Admin views shared by every register whose entries live content can show."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail.snippets.views.snippets import DeleteView

from .in_use import live_uses, refusal_message


class InUseAwareDeleteView(DeleteView):
    """The snippet delete view, refusing while a live notice shows the entry.

    The confirmation page names the notices; a POST that slips past it is
    refused with the same message and changes nothing.
    """

    template_name = "retention_schedule/admin/confirm_delete.html"
    # The template a snippet viewset falls back to: it cannot show the refusal.
    generic_template_name = "wagtailsnippets/snippets/delete.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.live_uses = live_uses([self.object]).get(self.object.pk, [])

    def get_template_names(self):
        """The viewset's templates, with ours in place of Wagtail's generic one.

        A snippet viewset passes this view its own template list, ending in
        Wagtail's generic delete template, which would hide the refusal. A
        host project's template for one model still wins (extend ours there).
        """
        names = [name for name in super().get_template_names() if name != self.generic_template_name]
        if type(self).template_name not in names:
            names.append(type(self).template_name)
        return names

    def form_valid(self, form):
        if self.live_uses:
            messages.error(self.request, refusal_message(self.object, self.live_uses))
            return redirect(self.get_delete_url())
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["live_uses"] = self.live_uses
        if self.live_uses:
            context["is_protected"] = True
            context["refusal_message"] = refusal_message(self.object, self.live_uses)
        return context
