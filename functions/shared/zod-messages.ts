/**
 * zod/mini ships without message texts ("Invalid input" for everything). Importing this module once
 * installs the English messages ("expected string, received undefined"), ~15 KB less than classic zod.
 * Every schema module that produces client-facing errors imports it.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
