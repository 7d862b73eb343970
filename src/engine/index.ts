/** The pure engine: policy and compliance rules as functions of plain data. */
export * from './dates.js';
export * from './time-zone.js';
export * from './types.js';
export * from './policy.js';
export * from './presence.js';
export * from './compliance.js';
export * from './explain.js';
export * from './standing.js';
export * from './org.js';
