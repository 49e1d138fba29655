"""Snippet choosers that only people allowed to see a register may open.

Wagtail's snippet choosers check nothing beyond admin access, so anyone who can
sign in to the admin could list every register entry, drafts and all, in a
chooser. These require one of the model's add, change, delete or view
permissions (editors have "view"), as the register's own listing does.
"""

from django.core.exceptions import PermissionDenied
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)

ANY_REGISTER_PERMISSION = ["add", "change", "delete", "view"]


class RequireRegisterPermission:
    def dispatch(self, request, *args, **kwargs):
        if not ModelPermissionPolicy(self.model).user_has_any_permission(request.user, ANY_REGISTER_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RegisterChooseView(RequireRegisterPermission, ChooseView):
    pass


class RegisterChooseResultsView(RequireRegisterPermission, ChooseResultsView):
    pass


class RegisterChosenView(RequireRegisterPermission, SnippetChosenView):
    pass


class RegisterChosenMultipleView(RequireRegisterPermission, SnippetChosenMultipleView):
    pass


class RegisterChooserViewSet(SnippetChooserViewSet):
    """Set as ``chooser_viewset_class`` on a register's SnippetViewSet."""

    choose_view_class = RegisterChooseView
    choose_results_view_class = RegisterChooseResultsView
    chosen_view_class = RegisterChosenView
    chosen_multiple_view_class = RegisterChosenMultipleView
