//! What the API tokens page shows, and the rules a token's name and lifetime follow, in words
//! the server (`tokens`, `token_forms`, the command line) and the page share.

use serde::{Deserialize, Serialize};

/// The page listing the user's tokens, and where every token form leads back to.
pub const TOKENS_PAGE: &str = "/account/tokens";

/// The longest name a token may have, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// How long a token may live at most, in days.
pub const MAX_DAYS: u32 = 3650;

/// A rule a new token's name or lifetime breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenRule {
    /// Nothing but spaces was typed.
    #[error("a token's name must not be empty")]
    EmptyName,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("a token's name has at most 100 characters")]
    LongName,
    /// A tab, newline or other control character, which would garble lists and logs.
    #[error("a token's name has no control characters")]
    ControlInName,
    /// Not a whole number of days from 1 to [`MAX_DAYS`].
    #[error("a token lives 1 to 3650 days")]
    Lifetime,
}

/// Checks a token's name, returning it trimmed.
pub fn validate_name(name: &str) -> Result<&str, TokenRule> {
    let name = name.trim();
    if name.is_empty() {
        Err(TokenRule::EmptyName)
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err(TokenRule::LongName)
    } else if name.chars().any(char::is_control) {
        Err(TokenRule::ControlInName)
    } else {
        Ok(name)
    }
}

/// Checks a lifetime in days; `None` is a token that never expires.
pub fn validate_days(days: Option<u32>) -> Result<Option<u32>, TokenRule> {
    match days {
        Some(days) if days == 0 || days > MAX_DAYS => Err(TokenRule::Lifetime),
        days => Ok(days),
    }
}

/// Reads the form's lifetime field: empty is never expiring, anything else must be a number
/// of days the rules allow.
pub fn parse_days(typed: &str) -> Result<Option<u32>, TokenRule> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let days = typed.parse::<u32>().map_err(|_| TokenRule::Lifetime)?;
    validate_days(Some(days))
}

/// Why a token form was refused; nothing was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    /// The new token's name or lifetime breaks a rule.
    Rule(TokenRule),
    /// The token to revoke is not a live token of this user (unknown, someone else's,
    /// already revoked or expired); which one is not said, so no one learns of others' tokens.
    NotRevocable,
}

impl TokenRefusal {
    const ALL: [Self; 5] = [
        Self::Rule(TokenRule::EmptyName),
        Self::Rule(TokenRule::LongName),
        Self::Rule(TokenRule::ControlInName),
        Self::Rule(TokenRule::Lifetime),
        Self::NotRevocable,
    ];

    /// The code carried in the page's address after the refusal (`?error=…`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Rule(TokenRule::EmptyName) => "empty_name",
            Self::Rule(TokenRule::LongName) => "long_name",
            Self::Rule(TokenRule::ControlInName) => "control_in_name",
            Self::Rule(TokenRule::Lifetime) => "lifetime",
            Self::NotRevocable => "not_revocable",
        }
    }

    /// The refusal a code stands for; an unknown code stands for none.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|refusal| refusal.code() == code)
    }

    /// What the page says.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::Rule(TokenRule::EmptyName) => {
                "Give the token a name, so you can tell it apart later. No token was created."
            }
            Self::Rule(TokenRule::LongName) => {
                "A token's name has at most 100 characters. No token was created."
            }
            Self::Rule(TokenRule::ControlInName) => {
                "A token's name cannot hold tabs, line breaks or other control characters. \
                 No token was created."
            }
            Self::Rule(TokenRule::Lifetime) => {
                "A token expires after 1 to 3650 days; leave the field empty for a token that \
                 never expires. No token was created."
            }
            Self::NotRevocable => {
                "That is not an active token of yours, so there is nothing to revoke. \
                 Nothing was changed."
            }
        }
    }
}

/// Whether a token still lets a program in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenStatus {
    /// Neither revoked nor expired.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked by its owner or an operator.
    Revoked,
}

impl TokenStatus {
    /// How the page names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// What happened to a token, as its events record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenAction {
    /// It was created.
    Created,
    /// It was revoked.
    Revoked,
}

impl TokenAction {
    /// The value stored in `api_token_events.action`, which is also how the page names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Revoked => "revoked",
        }
    }

    /// The action a stored value stands for.
    pub fn from_stored(stored: &str) -> Option<Self> {
        [Self::Created, Self::Revoked]
            .into_iter()
            .find(|action| action.as_str() == stored)
    }
}

/// One of the user's tokens as the page lists it; times are readable UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    /// Its id, which the revoke form posts.
    pub id: i64,
    /// The name it was given.
    pub name: String,
    /// The secret's first characters (`sy_3f9a`).
    pub prefix: String,
    /// When it was created.
    pub created: String,
    /// When it expires, if it does.
    pub expires: Option<String>,
    /// When a program last used it, if ever.
    pub last_used: Option<String>,
    /// Whether it still lets a program in.
    pub status: TokenStatus,
}

/// One creation or revocation of one of the user's tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenEventView {
    /// The token's name.
    pub token_name: String,
    /// What happened.
    pub action: TokenAction,
    /// Who did it: the owner's username, or the command line's marker.
    pub actor: String,
    /// When.
    pub at: String,
}

/// A token just created, its secret shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTokenView {
    /// The name it was given.
    pub name: String,
    /// The whole secret.
    pub secret: String,
}

/// Everything the API tokens page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokensView {
    /// The token created just before, if this is the first reading since.
    pub new_token: Option<NewTokenView>,
    /// The user's tokens, newest first.
    pub tokens: Vec<TokenView>,
    /// The newest creations and revocations of the user's tokens.
    pub events: Vec<TokenEventView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_must_be_1_to_100_characters_without_control_characters() {
        assert_eq!(validate_name("  deploys "), Ok("deploys"));
        assert_eq!(validate_name("   "), Err(TokenRule::EmptyName));
        assert_eq!(validate_name(&"é".repeat(100)).map(str::len), Ok(200));
        assert_eq!(validate_name(&"é".repeat(101)), Err(TokenRule::LongName));
        assert_eq!(validate_name("a\tb"), Err(TokenRule::ControlInName));
        assert_eq!(validate_name("a\u{7f}b"), Err(TokenRule::ControlInName));
    }

    #[test]
    fn the_lifetime_field_is_empty_or_1_to_3650_days() {
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days(" 30 "), Ok(Some(30)));
        assert_eq!(parse_days("3650"), Ok(Some(3650)));
        for typed in ["0", "3651", "-1", "1.5", "soon", "99999999999"] {
            assert_eq!(parse_days(typed), Err(TokenRule::Lifetime), "{typed}");
        }
    }

    #[test]
    fn every_refusal_and_action_comes_back_from_its_code() {
        for refusal in TokenRefusal::ALL {
            assert_eq!(TokenRefusal::from_code(refusal.code()), Some(refusal));
        }
        assert_eq!(TokenRefusal::from_code("<script>"), None);
        for action in [TokenAction::Created, TokenAction::Revoked] {
            assert_eq!(TokenAction::from_stored(action.as_str()), Some(action));
        }
    }
}
