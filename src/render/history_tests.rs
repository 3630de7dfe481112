use super::*;

#[test]
fn commit_urls_are_checked() {
    assert!(valid_commit_url(DEFAULT_COMMIT_URL).is_ok());
    assert!(valid_commit_url("https://example.org/c/").is_err());
    assert!(valid_commit_url("ftp://x/{id}").is_err());
    assert!(valid_commit_url("https://x/{id} y").is_err());
}
