//! The partner console's configuration: its credential (a user name and an
//! Argon2id hash of the password, a PHC string; the password itself is never kept:
//! a file holding it is hashed at start), its files and its sessions' lifetime.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Everything the console needs; absent, nothing of the console is served.
#[derive(Clone)]
pub struct ConsoleSettings {
    pub credential: ConsoleCredential,
    /// The console's built files (its own Trunk build), served at `/console/`.
    pub dir: PathBuf,
    pub session_ttl: Duration,
    /// `Secure` cookies (HTTPS only); off only for a plain-HTTP local demo.
    pub cookie_secure: bool,
}

/// Shortest console password the server accepts.
pub(super) const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    #[error("is shorter than {MIN_PASSWORD_LEN} characters")]
    TooShort,
    #[error("is not an Argon2 PHC string ($argon2id$v=19$…): {0}")]
    NotAHash(String),
    #[error("the user name is empty")]
    NoUser,
}

#[derive(Clone)]
pub struct ConsoleCredential {
    user: String,
    phc: String,
}

/// An Argon2id PHC string for `password`, with a fresh salt.
pub fn hash_password(password: &SecretString) -> Result<String, CredentialError> {
    let password = password.expose_secret().trim_end_matches(['\r', '\n']);
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(CredentialError::TooShort);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| CredentialError::NotAHash(e.to_string()))
}

impl ConsoleCredential {
    /// From a stored PHC hash (what `quote-server hash-console-password` prints).
    pub fn from_hash(user: &str, phc: &str) -> Result<Self, CredentialError> {
        let user = user.trim();
        if user.is_empty() {
            return Err(CredentialError::NoUser);
        }
        let phc = phc.trim();
        PasswordHash::new(phc).map_err(|e| CredentialError::NotAHash(e.to_string()))?;
        Ok(ConsoleCredential { user: user.to_owned(), phc: phc.to_owned() })
    }

    /// From the password itself, hashed here and then forgotten.
    pub fn from_password(user: &str, password: &SecretString) -> Result<Self, CredentialError> {
        ConsoleCredential::from_hash(user, &hash_password(password)?)
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// Whether `user` and `password` are the credential. The hash is checked even
    /// when the user name is wrong, so timing does not tell which part was.
    pub fn verify(&self, user: &str, password: &str) -> bool {
        let user_ok: bool = user.as_bytes().ct_eq(self.user.as_bytes()).into();
        let password_ok = PasswordHash::new(&self.phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
        user_ok & password_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_nothing_else_does() {
        let credential = ConsoleCredential::from_password("finance", &SecretString::from("correct horse battery\n")).unwrap();
        assert!(credential.phc.starts_with("$argon2id$"), "{}", credential.phc);
        assert!(!credential.phc.contains("correct horse"));
        assert!(credential.verify("finance", "correct horse battery"));
        assert!(!credential.verify("finance", "correct horse batter"));
        assert!(!credential.verify("support", "correct horse battery"));
        assert!(!credential.verify("", ""));
        let again = ConsoleCredential::from_hash("finance", &credential.phc).unwrap();
        assert!(again.verify("finance", "correct horse battery"));
    }

    #[test]
    fn short_passwords_bad_hashes_and_empty_users_are_refused() {
        assert_eq!(hash_password(&SecretString::from("short")).unwrap_err(), CredentialError::TooShort);
        assert!(matches!(ConsoleCredential::from_hash("u", "plaintext-password"), Err(CredentialError::NotAHash(_))));
        assert_eq!(
            ConsoleCredential::from_hash(" ", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA").err(),
            Some(CredentialError::NoUser)
        );
    }
}
