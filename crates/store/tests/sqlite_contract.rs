//! The store contract, run against SQLite in a fresh temp folder.

use heisessie_store::{SqliteStore, contract};

#[tokio::test]
async fn sqlite_keeps_the_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    contract::run(&store).await;
    store.close().await;
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
