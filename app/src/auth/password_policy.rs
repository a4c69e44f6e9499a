//! What a new password must be, and why a password change was refused, in the words the
//! server (command line, change-password endpoint) and the change-password page share.

/// The longest password accepted, in characters. Argon2 reads every byte it is given, so
/// an unbounded password would be unbounded work for one request.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A rule a new password breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRule {
    /// Nothing was typed.
    #[error("the password must not be empty")]
    Empty,
    /// Longer than [`MAX_PASSWORD_CHARS`].
    #[error("the password has at most 1024 characters")]
    TooLong,
}

/// Checks a new password against the rules every way of setting one applies (`createuser`,
/// `passwd`, the change-password page).
pub fn validate_password(password: &str) -> Result<(), PasswordRule> {
    if password.is_empty() {
        return Err(PasswordRule::Empty);
    }
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(PasswordRule::TooLong);
    }
    Ok(())
}

/// Why the change-password form was refused; nothing was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordChangeRefusal {
    /// The current password given is not the user's.
    WrongCurrent,
    /// The new password and its confirmation differ.
    Mismatch,
    /// The new password breaks a rule.
    Rule(PasswordRule),
}

impl PasswordChangeRefusal {
    /// The code carried in the page's address after the refusal (`?error=…`).
    pub fn code(self) -> &'static str {
        match self {
            Self::WrongCurrent => "current",
            Self::Mismatch => "mismatch",
            Self::Rule(PasswordRule::Empty) => "empty",
            Self::Rule(PasswordRule::TooLong) => "too_long",
        }
    }

    /// The refusal a code stands for; an unknown code stands for none.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::WrongCurrent,
            Self::Mismatch,
            Self::Rule(PasswordRule::Empty),
            Self::Rule(PasswordRule::TooLong),
        ]
        .into_iter()
        .find(|refusal| refusal.code() == code)
    }

    /// What the page says.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::WrongCurrent => "The current password is wrong. Nothing was changed.",
            Self::Mismatch => "The new password and its confirmation differ. Nothing was changed.",
            Self::Rule(PasswordRule::Empty) => {
                "The new password must not be empty. Nothing was changed."
            }
            Self::Rule(PasswordRule::TooLong) => {
                "The new password has more than 1024 characters. Nothing was changed."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_overlong_password_breaks_a_rule() {
        assert_eq!(validate_password(""), Err(PasswordRule::Empty));
        assert_eq!(validate_password(&"é".repeat(1024)), Ok(()));
        assert_eq!(
            validate_password(&"é".repeat(1025)),
            Err(PasswordRule::TooLong)
        );
    }

    #[test]
    fn every_refusal_comes_back_from_its_code() {
        for refusal in [
            PasswordChangeRefusal::WrongCurrent,
            PasswordChangeRefusal::Mismatch,
            PasswordChangeRefusal::Rule(PasswordRule::Empty),
            PasswordChangeRefusal::Rule(PasswordRule::TooLong),
        ] {
            assert_eq!(
                PasswordChangeRefusal::from_code(refusal.code()),
                Some(refusal)
            );
        }
        assert_eq!(PasswordChangeRefusal::from_code("<script>"), None);
    }
}
