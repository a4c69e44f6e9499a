//! Login throttling: how many password attempts a username and a client address may make
//! (keyed GCRA limiters from `governor`), how many hashes run at once, and the 429 page a
//! refused attempt gets. A refused attempt costs no hash and changes nothing.

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::{Arc, Weak},
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::password::{HashingPermit, HashingPermits};

/// A burst of attempts, then one more each `every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Attempts allowed at once.
    pub burst: NonZeroU32,
    /// The time that earns one more attempt.
    pub every: Duration,
}

impl Rate {
    fn quota(self) -> Quota {
        Quota::with_period(self.every.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(self.burst)
    }
}

/// The login limits a server runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    /// Password attempts per username (login, and the current password of a change).
    pub per_username: Rate,
    /// Password attempts per client address.
    pub per_address: Rate,
    /// Take the client address from the last `X-Forwarded-For` entry (behind one reverse
    /// proxy that sets it) instead of the TCP peer.
    pub trust_forwarded_for: bool,
    /// Password hashes running at once.
    pub hashing_permits: usize,
    /// How long an attempt waits for a hashing permit before it is answered 429.
    pub hashing_wait: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_username: Rate {
                burst: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
                every: Duration::from_secs(6),
            },
            per_address: Rate {
                burst: NonZeroU32::new(30).unwrap_or(NonZeroU32::MIN),
                every: Duration::from_secs(1),
            },
            trust_forwarded_for: false,
            hashing_permits: super::password::cores(),
            hashing_wait: Duration::from_secs(2),
        }
    }
}

/// The longest username key kept: no username is longer, so longer text gains nothing
/// and would only cost memory.
const USERNAME_KEY_CHARS: usize = 150;

/// How often keys whose limit has refilled entirely are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Admits or refuses password attempts; shared by every request of a server.
#[derive(Clone, Debug)]
pub struct LoginGuard {
    inner: Arc<Limiters>,
    hashing: HashingPermits,
    trust_forwarded_for: bool,
}

#[derive(Debug)]
struct Limiters {
    usernames: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
}

impl LoginGuard {
    /// A guard with these limits. Inside a Tokio runtime it also forgets, every minute,
    /// the keys whose limits have refilled, so memory stays bounded; the task ends with
    /// the guard.
    pub fn new(limits: LoginLimits) -> Self {
        let inner = Arc::new(Limiters {
            usernames: RateLimiter::keyed(limits.per_username.quota()),
            addresses: RateLimiter::keyed(limits.per_address.quota()),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep(Arc::downgrade(&inner)));
        }
        Self {
            inner,
            hashing: HashingPermits::new(limits.hashing_permits, limits.hashing_wait),
            trust_forwarded_for: limits.trust_forwarded_for,
        }
    }

    /// Counts one password attempt for `username` from `client`, or refuses it. The
    /// address is asked first, so a refused address uses up nothing of the username's.
    pub fn admit(
        &self,
        client: IpAddr,
        username: &str,
        attempt: Attempt,
    ) -> Result<(), TooManyAttempts> {
        let limiters = &self.inner;
        let refused = |wait: Duration| TooManyAttempts {
            retry_after: wait,
            reason: Reason::Attempts,
            attempt,
        };
        let address = address_key(client);
        if let Err(not_until) = limiters.addresses.check_key(&address) {
            tracing::info!(%address, "login attempt throttled: client address");
            let now = limiters.addresses.clock().now();
            return Err(refused(not_until.wait_time_from(now)));
        }
        if let Err(not_until) = limiters.usernames.check_key(&username_key(username)) {
            tracing::info!(%address, "login attempt throttled: username");
            let now = limiters.usernames.clock().now();
            return Err(refused(not_until.wait_time_from(now)));
        }
        Ok(())
    }

    /// A permit to hash passwords, or a refusal when none came free in time.
    pub async fn hashing_permit(&self, attempt: Attempt) -> Result<HashingPermit, TooManyAttempts> {
        self.hashing.acquire().await.map_err(|_busy| {
            tracing::warn!("password attempt refused: every hashing permit is taken");
            TooManyAttempts {
                retry_after: Duration::from_secs(1),
                reason: Reason::Busy,
                attempt,
            }
        })
    }

    /// The address a request comes from: the TCP peer, or with `trust_forwarded_for` the
    /// last `X-Forwarded-For` entry (the one the proxy added; earlier ones are the
    /// client's to forge). Without either, every such request shares one address.
    pub fn client_address(&self, peer: PeerAddress, headers: &HeaderMap) -> IpAddr {
        let forwarded = self
            .trust_forwarded_for
            .then(|| last_forwarded_for(headers))
            .flatten();
        forwarded
            .or(peer.0.map(|peer| peer.ip()))
            .unwrap_or(IpAddr::from(Ipv6Addr::UNSPECIFIED))
    }
}

async fn sweep(limiters: Weak<Limiters>) {
    loop {
        tokio::time::sleep(SWEEP_EVERY).await;
        let Some(limiters) = limiters.upgrade() else {
            return;
        };
        limiters.usernames.retain_recent();
        limiters.usernames.shrink_to_fit();
        limiters.addresses.retain_recent();
        limiters.addresses.shrink_to_fit();
    }
}

fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
    let last_entry = last_header.to_str().ok()?.rsplit(',').next()?;
    last_entry.trim().parse().ok()
}

/// Usernames are compared as the login compares them: trimmed, case-sensitive.
fn username_key(username: &str) -> String {
    username.trim().chars().take(USERNAME_KEY_CHARS).collect()
}

/// One IPv6 client usually holds a whole /64, so its addresses count as one.
fn address_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

/// The TCP peer of a request, when the server was started with connect info (as
/// `server::startup::serve_until` does).
#[derive(Clone, Copy, Debug)]
pub struct PeerAddress(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| *peer);
        Ok(Self(peer))
    }
}

/// What the refused attempt was for; it decides the page's words and its link back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// `POST /login`.
    Login,
    /// The current password of `POST /account/password`.
    PasswordChange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    Attempts,
    Busy,
}

/// A password attempt refused before any hashing: answered 429 with `Retry-After`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyAttempts {
    retry_after: Duration,
    reason: Reason,
    attempt: Attempt,
}

impl TooManyAttempts {
    /// Whole seconds until an attempt may succeed, at least one.
    pub fn retry_after_seconds(&self) -> u64 {
        let whole = self.retry_after.as_secs();
        let seconds = if self.retry_after.subsec_nanos() > 0 {
            whole + 1
        } else {
            whole
        };
        seconds.max(1)
    }

    /// The sentence the page shows.
    pub fn sentence(&self) -> String {
        let seconds = self.retry_after_seconds();
        let unit = if seconds == 1 { "second" } else { "seconds" };
        let what = match (self.reason, self.attempt) {
            (Reason::Busy, _) => "The server is busy checking other passwords.",
            (Reason::Attempts, Attempt::Login) => "Too many login attempts.",
            (Reason::Attempts, Attempt::PasswordChange) => "Too many password attempts.",
        };
        format!("{what} Try again in {seconds} {unit}.")
    }
}

impl IntoResponse for TooManyAttempts {
    fn into_response(self) -> Response {
        let (title, back, back_label) = match self.attempt {
            Attempt::Login => (
                "Too many login attempts",
                "/login",
                "Back to the login page",
            ),
            Attempt::PasswordChange => (
                "Too many password attempts",
                "/account/password",
                "Back to changing your password",
            ),
        };
        let body = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} · Switchyard</title>\
             <link rel=\"stylesheet\" href=\"/pkg/switchyard.css\"></head>\
             <body><main id=\"main\" class=\"login-page\"><section class=\"login-card\">\
             <h1>{title}</h1><p class=\"message error\" role=\"alert\">{sentence}</p>\
             <p><a href=\"{back}\">{back_label}</a></p></section></main></body></html>\n",
            sentence = self.sentence(),
        );
        (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (
                    header::RETRY_AFTER,
                    HeaderValue::from(self.retry_after_seconds()),
                ),
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(per_username: u32, per_address: u32) -> LoginGuard {
        let rate = |burst| Rate {
            burst: NonZeroU32::new(burst).expect("non-zero"),
            every: Duration::from_secs(3600),
        };
        LoginGuard::new(LoginLimits {
            per_username: rate(per_username),
            per_address: rate(per_address),
            ..LoginLimits::default()
        })
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_username_past_its_burst_is_refused_and_another_is_not() {
        let guard = guard(2, 100);
        assert!(guard.admit(HOME, "clerk", Attempt::Login).is_ok());
        assert!(guard.admit(HOME, " clerk ", Attempt::Login).is_ok());
        let refused = guard
            .admit(HOME, "clerk", Attempt::Login)
            .expect_err("third");
        assert!(refused.retry_after_seconds() > 3500, "{refused:?}");
        assert!(guard.admit(HOME, "admin", Attempt::Login).is_ok());
    }

    #[test]
    fn an_address_past_its_burst_is_refused_whatever_the_username() {
        let guard = guard(100, 2);
        assert!(guard.admit(HOME, "a", Attempt::Login).is_ok());
        assert!(guard.admit(HOME, "b", Attempt::Login).is_ok());
        assert!(guard.admit(HOME, "c", Attempt::Login).is_err());
        let elsewhere = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
        assert!(guard.admit(elsewhere, "c", Attempt::Login).is_ok());
    }

    #[test]
    fn the_addresses_of_one_ipv6_network_count_as_one() {
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("address");
        let two: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("address");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("address");
        assert_eq!(address_key(one), address_key(two));
        assert_ne!(address_key(one), address_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("address");
        assert_eq!(
            address_key(mapped),
            "192.0.2.7".parse::<IpAddr>().expect("v4")
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_when_configured_and_only_its_last_entry() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.4"),
        );
        let peer = PeerAddress(Some(SocketAddr::from(([127, 0, 0, 1], 4000))));
        let plain = guard(1, 1);
        assert_eq!(plain.client_address(peer, &headers), HOME);
        let proxied = LoginGuard {
            trust_forwarded_for: true,
            ..plain
        };
        let expected: IpAddr = "198.51.100.4".parse().expect("address");
        assert_eq!(proxied.client_address(peer, &headers), expected);
    }

    #[test]
    fn the_page_says_how_long_to_wait_in_whole_seconds() {
        let refusal = TooManyAttempts {
            retry_after: Duration::from_millis(5200),
            reason: Reason::Attempts,
            attempt: Attempt::Login,
        };
        assert_eq!(refusal.retry_after_seconds(), 6);
        assert_eq!(
            refusal.sentence(),
            "Too many login attempts. Try again in 6 seconds."
        );
        let busy = TooManyAttempts {
            retry_after: Duration::ZERO,
            reason: Reason::Busy,
            attempt: Attempt::Login,
        };
        assert_eq!(
            busy.sentence(),
            "The server is busy checking other passwords. Try again in 1 second."
        );
    }
}
