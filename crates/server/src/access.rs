//! Access by capability links: no accounts. A link holds a random token; opening it
//! gives the holder a personal credential, kept in an HttpOnly cookie scoped by name
//! to one session. Tokens and credentials are stored only as SHA-256 hashes.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use heisessie_domain::session::ParticipantId;
use heisessie_store::{LinkKind, SessionId, StoreError, TokenHash};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// 20 random bytes: 160 bits, comfortably above the 128 the brief asks for.
const TOKEN_BYTES: usize = 20;

/// A secret token as handed to a person (in a link or a cookie). Its `Debug` hides it
/// so that it cannot end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    pub fn generate() -> Result<Token, ApiError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// Accepts only what `generate` makes, so junk never reaches the store.
    pub fn parse(text: &str) -> Option<Token> {
        let text = text.trim();
        (text.len() == TOKEN_BYTES * 2 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Token(text.to_ascii_lowercase()))
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Who is calling, once their credential checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub participant: ParticipantId,
    pub via: LinkKind,
}

/// Extractor: the session named by the route's `{id}` and who is calling, once their
/// credential checked out. An id that does not parse is `session_not_found`, like an id
/// no session has; then the credential is checked as by [`AppState::authenticate`].
#[derive(Debug, Clone, Copy)]
pub struct SessionCaller {
    pub id: SessionId,
    pub caller: Caller,
}

/// Extractor: like [`SessionCaller`], and the caller must be the session's facilitator
/// (`facilitator_only` otherwise; `not_authorized` once they are no longer in it).
#[derive(Debug, Clone, Copy)]
pub struct FacilitatorCaller {
    pub id: SessionId,
    pub caller: Caller,
}

/// The route's `{id}` as a session id.
async fn session_of(parts: &mut Parts, state: &AppState) -> Result<SessionId, ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|rejection| ApiError::Internal(format!("no path parameters: {rejection}")))?;
    let id = params
        .iter()
        .find_map(|(name, value)| (name == "id").then_some(value))
        .ok_or_else(|| ApiError::Internal("a route without a session id".into()))?;
    parse_session_id(id)
}

/// A session id as written in an address; one that does not parse names no session.
pub fn parse_session_id(text: &str) -> Result<SessionId, ApiError> {
    SessionId::parse_str(text).map_err(|_| ApiError::SessionNotFound)
}

impl FromRequestParts<AppState> for SessionCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let id = session_of(parts, app).await?;
        let caller = app.authenticate(id, &parts.headers).await?;
        Ok(SessionCaller { id, caller })
    }
}

impl FromRequestParts<AppState> for FacilitatorCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let id = session_of(parts, app).await?;
        let caller = app.facilitator(id, &parts.headers).await?;
        Ok(FacilitatorCaller { id, caller })
    }
}

/// The cookie that holds a participant's credential for one session.
pub fn cookie_name(session: SessionId) -> String {
    format!("hs_{}", session.simple())
}

/// `Set-Cookie` for a credential: HttpOnly (no script can read it), SameSite=Lax (not
/// sent along with another site's requests), for 90 days.
pub fn credential_cookie(session: SessionId, credential: &Token, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=7776000{secure}",
        cookie_name(session),
        credential.expose()
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// The credential a request carries: `Authorization: Bearer …` or the session's cookie.
pub fn presented_credential(session: SessionId, headers: &HeaderMap) -> Option<Token> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(Token::parse);
    bearer.or_else(|| {
        let name = cookie_name(session);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .and_then(|(_, value)| Token::parse(value))
    })
}

impl AppState {
    /// Checks the request's credential for `session`: it must exist, belong to this
    /// session, and come from a link that has not been rotated since.
    pub async fn authenticate(&self, session: SessionId, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let access = self.store.session_access(session).await?;
        let token = presented_credential(session, headers).ok_or(ApiError::NotAuthorized)?;
        let credential = match self.store.credential(session, token.hash()).await {
            Ok(credential) => credential,
            Err(StoreError::NotFound) => return Err(ApiError::NotAuthorized),
            Err(other) => return Err(other.into()),
        };
        if credential.epoch != access.epoch(credential.via) {
            return Err(ApiError::LinkRotated);
        }
        Ok(Caller { participant: credential.participant, via: credential.via })
    }

    /// Like [`AppState::authenticate`], and the caller must be the session's facilitator.
    pub async fn facilitator(&self, id: SessionId, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let caller = self.authenticate(id, headers).await?;
        let (_, state) = self.rooms.read(id).await?;
        match state.participant(caller.participant) {
            Some(p) if p.is_facilitator => Ok(caller),
            Some(_) => Err(ApiError::Rejected(heisessie_domain::session::Rejection::FacilitatorOnly)),
            None => Err(ApiError::NotAuthorized),
        }
    }

    /// Which link a link token is, if it is one of this session's current links.
    pub async fn link_kind(&self, session: SessionId, token: &Token) -> Result<LinkKind, ApiError> {
        let access = self.store.session_access(session).await?;
        let hash = token.hash();
        [LinkKind::Facilitator, LinkKind::Participant]
            .into_iter()
            .find(|kind| access.link(*kind) == hash)
            .ok_or(ApiError::NotAuthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_only_their_own_shape_parses() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 40);
        assert_eq!(Token::parse(a.expose()), Some(a.clone()));
        assert_eq!(format!("{a:?}"), "Token(…)");
        for junk in ["", "abc", &"g".repeat(40), &"a".repeat(41), "'; DROP TABLE sessions; --"] {
            assert_eq!(Token::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn the_credential_is_found_in_the_bearer_header_or_the_sessions_cookie() {
        let session = uuid::Uuid::now_v7();
        let token = Token::generate().unwrap();
        let mut headers = HeaderMap::new();
        let cookie = format!("other=1; {}={}; x=y", cookie_name(session), token.expose());
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert_eq!(presented_credential(session, &headers), Some(token.clone()));
        assert_eq!(presented_credential(uuid::Uuid::now_v7(), &headers), None);
        let mut bearer = HeaderMap::new();
        bearer.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {}", token.expose())).unwrap());
        assert_eq!(presented_credential(session, &bearer), Some(token));
    }
}
