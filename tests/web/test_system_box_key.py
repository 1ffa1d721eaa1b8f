"""The System page shows the box's signing key fingerprint, the one the papers print."""

from appliance.boxkey import ensure_key


def test_system_page_shows_the_box_key_fingerprint(web_authed_client, web_data_dir):
    page = web_authed_client.get("/system").get_data(as_text=True)
    assert 'id="sys-box-key">ещё не создан' in page
    key = ensure_key(web_data_dir)
    page = web_authed_client.get("/system").get_data(as_text=True)
    assert f'id="sys-box-key"><code>{key.fingerprint}</code>' in page
