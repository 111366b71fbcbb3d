import pytest

from sitecert.lib.didweb import did_from_url, document_url


@pytest.mark.parametrize(
    ("url", "did", "document"),
    [
        ("https://zjw.tj.gov.cn", "did:web:zjw.tj.gov.cn", "https://zjw.tj.gov.cn/.well-known/did.json"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000", "https://127.0.0.1:8000/.well-known/did.json"),
        (
            "https://ZJW.tj.gov.cn:8443/sitecert/tianjin",
            "did:web:zjw.tj.gov.cn%3A8443:sitecert:tianjin",
            "https://zjw.tj.gov.cn:8443/sitecert/tianjin/did.json",
        ),
    ],
)
def test_a_did_web_follows_the_address_and_resolves_back(url, did, document):
    assert did_from_url(url) == did
    assert document_url(did) == document
    assert document_url(f"{did}#key-1") == document


def test_not_a_did_web_is_refused():
    with pytest.raises(ValueError):
        document_url("did:key:z6Mk")
    with pytest.raises(ValueError):
        did_from_url("/relative")
