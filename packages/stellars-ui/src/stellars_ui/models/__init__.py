"""The platform API's request and response bodies, as pydantic models: the contract.

Every body a handler reads is parsed into one of these (``self.body(Model)``)
and every JSON answer is built from one (``self.answer(model)``); the OpenAPI
document's schemas are generated from the same classes
(:mod:`stellars_ui.openapi`), so the code and the document cannot drift.
One module per area; :mod:`stellars_ui.models.common` holds what they share.
"""
