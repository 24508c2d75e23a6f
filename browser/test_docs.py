"""`/docs` in a real browser, as the FastAPI tutorial's reader uses it:
open Swagger UI, log in from the lock ("Authorize", the OAuth 2.0 password
flow against /token), then "Try it out" on the todo endpoints.

Elements are found by their visible text and labels, as a person finds
them.
"""

import json
from urllib.parse import urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 20


def wait(driver):
    return WebDriverWait(driver, WAIT)


def button(driver, text, within=None):
    """The visible button whose text is `text`."""
    scope = within or driver
    xpath = f".//button[normalize-space(.)='{text}']"
    return wait(driver).until(lambda d: next((b for b in scope.find_elements(By.XPATH, xpath) if b.is_displayed()), None))


def field(driver, label):
    """The input a visible <label> names (for= or nesting)."""
    lab = wait(driver).until(EC.visibility_of_element_located((By.XPATH, f"//label[starts-with(normalize-space(.), '{label}')]")))
    target = lab.get_attribute("for")
    if target:
        return driver.find_element(By.ID, target)
    return lab.find_element(By.XPATH, "following::input[1]")


def operation(driver, method, path):
    """The block of one operation, opened."""
    xpath = (
        "//div[contains(@class,'opblock ') and "
        f".//span[contains(@class,'opblock-summary-method') and normalize-space(.)='{method}'] and "
        f".//*[contains(@class,'opblock-summary-path') and normalize-space(.)='{path}']]"
    )
    block = wait(driver).until(EC.presence_of_element_located((By.XPATH, xpath)))
    if "is-open" not in block.get_attribute("class"):
        block.find_element(By.XPATH, ".//*[contains(@class,'opblock-summary-control') or contains(@class,'opblock-summary')]").click()
        wait(driver).until(lambda d: "is-open" in block.get_attribute("class"))
    return block


def authorize(driver, username, password):
    """Logs in from the lock, as the tutorial does."""
    button(driver, "Authorize").click()
    dialog = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".dialog-ux .modal-ux")))
    field(driver, "username").send_keys(username)
    field(driver, "password").send_keys(password)
    button(driver, "Authorize", within=dialog).click()
    # Swagger UI shows "Logout" once /token has answered with a token.
    button(driver, "Logout", within=dialog)
    button(driver, "Close", within=dialog).click()


def execute(driver, block):
    """Try it out, Execute: the live response's status and body text."""
    button(driver, "Try it out", within=block).click()
    button(driver, "Execute", within=block).click()
    live = wait(driver).until(lambda d: block.find_element(By.CSS_SELECTOR, ".live-responses-table .response"))
    status = live.find_element(By.CSS_SELECTOR, ".response-col_status").text.strip()
    body = live.find_element(By.CSS_SELECTOR, ".response-col_description pre").text
    return status, body


def test_docs_serves_swagger_ui_from_this_server_only(server, driver, page_errors):
    driver.get(server.url + "/docs")
    wait(driver).until(EC.visibility_of_element_located((By.XPATH, "//*[contains(@class, 'title') and contains(., 'barejwt todo service')]")))
    origin = urlparse(server.url).netloc
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded, "no resources loaded"
    foreign = [u for u in loaded if urlparse(u).netloc != origin]
    assert foreign == [], f"loaded from elsewhere: {foreign}"
    assert page_errors(driver) == []


def test_authorize_with_the_password_flow_then_try_get_todo(server, driver, screenshot, page_errors):
    username, password, _ = server.create_user()
    token = server.login(username, password)
    r = server.request("POST", "/todo", json_body={"title": "read RFC 7519", "priority": 1}, token=token)
    assert r.status == 201, r

    driver.get(server.url + "/docs")
    authorize(driver, username, password)
    block = operation(driver, "GET", "/todo")
    status, body = execute(driver, block)
    driver.execute_script("arguments[0].scrollIntoView()", block)
    screenshot(driver, "docs-get-todo")
    assert status == "200", body
    todos = json.loads(body)
    assert [t["title"] for t in todos] == ["read RFC 7519"]
    assert page_errors(driver) == []


def test_try_it_out_post_todo_with_the_token_from_the_lock(server, driver, screenshot, page_errors):
    username, password, _ = server.create_user()
    driver.get(server.url + "/docs")
    authorize(driver, username, password)
    block = operation(driver, "POST", "/todo")
    button(driver, "Try it out", within=block).click()
    body = wait(driver).until(lambda d: block.find_element(By.CSS_SELECTOR, "textarea.body-param__text"))
    body.clear()
    body.send_keys(json.dumps({"title": "written in Swagger UI", "priority": 2}))
    button(driver, "Execute", within=block).click()
    live = wait(driver).until(lambda d: block.find_element(By.CSS_SELECTOR, ".live-responses-table .response"))
    status = live.find_element(By.CSS_SELECTOR, ".response-col_status").text.strip()
    text = live.find_element(By.CSS_SELECTOR, ".response-col_description pre").text
    driver.execute_script("arguments[0].scrollIntoView()", block)
    screenshot(driver, "docs-post-todo")
    assert status == "201", text
    assert json.loads(text)["title"] == "written in Swagger UI"
    # The todo is the logged-in user's: the API lists it for their token.
    token = server.login(username, password)
    listed = server.request("GET", "/todo", token=token).json()
    assert [t["title"] for t in listed] == ["written in Swagger UI"]
    assert page_errors(driver) == []
