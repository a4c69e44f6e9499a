//! The server function behind the API tokens page: the user's tokens, their recent events,
//! and the secret of a token created just before, shown this once.

use leptos::prelude::*;

use super::token_types::TokensView;
use crate::error::AppError;

/// The logged-in user's tokens page.
#[server(endpoint = "account_tokens")]
pub async fn tokens_page() -> Result<TokensView, AppError> {
    crate::error::respond(server::tokens_page().await)
}

#[cfg(feature = "ssr")]
mod server {
    use tower_sessions::Session;

    use crate::{
        auth::{
            session::{current_user, database},
            token_forms::take_new_token,
            token_types::{TokenEventView, TokenStatus, TokenView, TokensView},
            tokens::{self, TokenEvent, TokenRow},
        },
        error::AppError,
    };

    pub async fn tokens_page() -> Result<TokensView, AppError> {
        let db = database()?;
        let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
        let user = current_user(&session, &db)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let new_token = take_new_token(&session, user.id).await?;
        let now = tokens::now();
        let tokens = tokens::list(&db, user.id)
            .await?
            .into_iter()
            .map(|row| token_view(row, now))
            .collect();
        let events = tokens::events(&db, user.id)
            .await?
            .into_iter()
            .map(event_view)
            .collect();
        Ok(TokensView {
            new_token,
            tokens,
            events,
        })
    }

    fn token_view(row: TokenRow, now: i64) -> TokenView {
        let status = if row.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if row.expires_at.is_some_and(|expires| expires <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        };
        TokenView {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created: readable(row.created_at),
            expires: row.expires_at.map(readable),
            last_used: row.last_used_at.map(readable),
            status,
        }
    }

    fn event_view(event: TokenEvent) -> TokenEventView {
        TokenEventView {
            token_name: event.token_name,
            action: event.action,
            actor: event.actor_username,
            at: readable(event.at),
        }
    }

    /// Unix seconds as `2025-03-01 14:05 UTC`.
    fn readable(seconds: i64) -> String {
        chrono::DateTime::from_timestamp(seconds, 0)
            .map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| seconds.to_string())
    }
}
