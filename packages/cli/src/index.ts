export { UsageError } from './fail.js';
