//! Cross-site request forgery protection for forms: a per-session token in a private cookie,
//! repeated in a hidden `_csrf` field and compared on every POST.
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

pub const COOKIE: &str = "egret_csrf";

/// The session's CSRF token (created when the browser has none yet).
#[derive(Clone, Debug)]
pub struct Csrf(pub String);

impl Csrf {
    /// True when a submitted `_csrf` value matches the session's token.
    pub fn matches(&self, submitted: &str) -> bool {
        let a = self.0.as_bytes();
        let b = submitted.as_bytes();
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// Replaces the token (at login and logout) so a token seen before a login is worthless after it.
    pub fn rotate(cookies: &CookieJar<'_>) -> Csrf {
        let token = super::token::generate();
        cookies.add_private(cookie(token.clone()));
        Csrf(token)
    }
}

fn cookie(value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let cookies = req.cookies();
        let token = req.local_cache(|| match cookies.get_private(COOKIE) {
            Some(c) => c.value().to_string(),
            None => {
                let token = super::token::generate();
                cookies.add_private(cookie(token.clone()));
                token
            }
        });
        if token.is_empty() {
            return Outcome::Error((Status::InternalServerError, ()));
        }
        Outcome::Success(Csrf(token.clone()))
    }
}
