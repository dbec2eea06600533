import { buildApp } from './build.js';

// The CDK CLI synthesizes the app when this process exits.
buildApp();
