export * from './event-file.js';
