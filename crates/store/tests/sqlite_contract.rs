//! The store contract against SQLite: one test per check, each in a fresh temp folder.

use heisessie_store::{SqliteStore, Store, contract};

/// A fresh SQLite store and the temp folder it lives in.
struct FreshSqlite {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl contract::Fixture for FreshSqlite {
    fn store(&self) -> &dyn Store {
        &self.store
    }

    async fn close(self) {
        self.store.close().await;
    }
}

async fn fresh_sqlite() -> FreshSqlite {
    let dir = tempfile::tempdir().expect("a temp folder");
    let store = SqliteStore::open(dir.path()).await.expect("the store opens");
    FreshSqlite { store, _dir: dir }
}

mod sqlite_keeps_the_store_contract {
    use super::fresh_sqlite;

    heisessie_store::store_contract_tests!(fresh_sqlite);
}

#[tokio::test]
async fn reopening_the_data_folder_keeps_the_sessions_and_skips_applied_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let first = SqliteStore::open(dir.path()).await.unwrap();
    contract::run(&first).await;
    first.close().await;
    let second = SqliteStore::open(dir.path()).await.unwrap();
    contract::run(&second).await;
    second.close().await;
    assert!(dir.path().join("heisessie.sqlite3").exists());
}

#[tokio::test]
async fn a_data_folder_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let error = SqliteStore::open(&file.join("data")).await.err().expect("opening must fail");
    assert!(error.to_string().contains("cannot create the data folder"), "{error}");
}

#[test]
fn events_with_keyed_maps_round_trip() {
    contract::events_with_keyed_maps_round_trip();
}
