"""The API docs (Swagger UI) render under their own Content-Security-Policy without a single violation."""

from __future__ import annotations

import pytest

from core.security import API_DOCS_POLICY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts; Playwright injects it outside the page's CSP.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_api_docs_list_the_operations_without_csp_violation(sales_user, login):
    page = login(sales_user)
    page.add_init_script(RECORD_VIOLATIONS)

    response = page.goto("/api/docs/")

    assert response.headers["content-security-policy"] == API_DOCS_POLICY
    page.locator("#swagger-ui .opblock").first.wait_for()
    paths = page.locator("#swagger-ui .opblock-summary-path").all_inner_texts()
    assert "/api/v1/contacts/" in {path.replace("\u200b", "") for path in paths}
    # The inline <style> applied (allowed by hash): it sets the page background.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(250, 250, 250)"
    assert page.evaluate("window.cspViolations") == []
