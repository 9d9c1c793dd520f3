// REALM featurization: masked query + candidate documents → RealmExample. Re-exports only.
export * from './realm-featurize.js';
