"""Bring an existing privacy policy in: read it, find what it says, plan the drafts, write them.

``source`` reads the file, ``outline`` finds its headings, paragraphs and
sentences (each tied to its offsets in the input), the finders read the
sentences (``extract``), ``plan`` decides what each part becomes and
``apply`` writes the drafts in one transaction.
"""

# The audit log action on everything an import writes; its data names the policy it came from.
IMPORT_LOG_ACTION = "privacy_notices.import"
