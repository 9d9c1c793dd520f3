// REALM featurization: masked query + candidate documents → RealmExample. Re-exports only.
export * from './realm-featurize.js';
export * from './reader-mlm.js';
