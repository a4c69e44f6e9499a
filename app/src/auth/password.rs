//! Password hashing with Argon2id (the `argon2` crate, RustCrypto), off the async threads,
//! and the bound on how many hashes requests may run at once.

use std::{num::NonZeroUsize, sync::Arc, sync::OnceLock, time::Duration};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// Hashes a password into a self-describing PHC string (algorithm, parameters, salt).
///
/// For the command line and the demo seeding; a request hashes through a [`HashingPermit`].
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(AppError::internal)?
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(AppError::internal)
}

/// How many password hashes requests may run at once, and how long a request waits for
/// its turn. Each Argon2 hash takes 19 MiB and a core for tens of milliseconds, so without
/// a bound a burst of logins would take every core and a lot of memory.
#[derive(Clone, Debug)]
pub struct HashingPermits {
    semaphore: Arc<Semaphore>,
    wait: Duration,
}

/// No hashing permit came free within the wait: the server is busy with other passwords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingBusy;

impl HashingPermits {
    /// `permits` hashes at once (at least one); a request waits at most `wait` for one.
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            semaphore: Arc::new(Semaphore::new(permits.max(1))),
            wait,
        }
    }

    /// One hash at a time per core of this machine.
    pub fn per_core(wait: Duration) -> Self {
        Self::new(cores(), wait)
    }

    /// Waits up to the configured time for a permit.
    pub async fn acquire(&self) -> Result<HashingPermit, HashingBusy> {
        // `timeout` polls the acquisition before its timer, so a free permit is taken even
        // with a zero wait.
        match tokio::time::timeout(self.wait, Arc::clone(&self.semaphore).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(HashingPermit {
                _held: Arc::new(permit),
            }),
            Ok(Err(_)) | Err(_) => Err(HashingBusy),
        }
    }
}

/// The number of cores this process may use (one when that cannot be told).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// The right to run password hashes now. The blocking hash holds a share of it too, so a
/// request given up by its client does not free the permit before the hash is done.
#[derive(Clone, Debug)]
pub struct HashingPermit {
    _held: Arc<OwnedSemaphorePermit>,
}

impl HashingPermit {
    /// Hashes a password into a PHC string, as [`hash`] does, under this permit.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let held = self.clone();
        tokio::task::spawn_blocking(move || {
            let hashed = hash_now(&password);
            drop(held);
            hashed
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Checks a password against a stored hash. With no stored hash (unknown user) it still
    /// spends the same time on a dummy hash, so response times do not reveal which users
    /// exist.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let held = self.clone();
        tokio::task::spawn_blocking(move || {
            let (hash, known) = match &stored {
                Some(stored) => (stored.as_str(), true),
                None => (dummy_hash(), false),
            };
            let parsed = PasswordHash::new(hash).map_err(AppError::internal)?;
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            drop(held);
            Ok(known && matches)
        })
        .await
        .map_err(AppError::internal)?
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permits(count: usize) -> HashingPermits {
        HashingPermits::new(count, Duration::ZERO)
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let permit = permits(1).acquire().await.expect("a free permit");
        let stored = permit.hash("correct horse".into()).await.expect("hash");
        assert!(permit
            .verify("correct horse".into(), Some(stored.clone()))
            .await
            .expect("verify"));
        assert!(!permit
            .verify("wrong horse".into(), Some(stored))
            .await
            .expect("verify"));
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let permit = permits(1).acquire().await.expect("a free permit");
        assert!(!permit
            .verify("not a real password".into(), None)
            .await
            .expect("verify"));
    }

    #[tokio::test]
    async fn a_request_finding_every_permit_taken_is_told_the_server_is_busy() {
        let permits = permits(1);
        let first = permits.acquire().await.expect("a free permit");
        assert_eq!(permits.acquire().await.err(), Some(HashingBusy));
        drop(first);
        assert!(permits.acquire().await.is_ok(), "the permit came back");
    }

    #[tokio::test]
    async fn a_hash_keeps_its_permit_when_the_request_is_given_up() {
        let permits = permits(1);
        let permit = permits.acquire().await.expect("a free permit");
        let request = tokio::spawn(async move { permit.hash("abandoned".into()).await });
        // The request starts its hash, then its client goes away.
        tokio::task::yield_now().await;
        request.abort();
        let _ = request.await;
        assert_eq!(
            permits.acquire().await.err(),
            Some(HashingBusy),
            "the hash still running holds the permit"
        );
        let patient = HashingPermits {
            wait: Duration::from_secs(30),
            ..permits
        };
        assert!(patient.acquire().await.is_ok(), "and frees it when done");
    }
}
