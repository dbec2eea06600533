import { registerAnalytics } from './analytics.js';
import { registerBroadcasts } from './broadcasts.js';
import { registerChannels } from './channels.js';
import { registerScenarios } from './scenarios.js';
import { registerCost } from './cost.js';
import { registerCrm } from './crm.js';
import { registerForms } from './forms.js';
import { registerLake } from './lake.js';
import { registerPages } from './pages.js';
import { registerRecommendations } from './recommendations.js';
import { registerScoring } from './scoring.js';
import { registerSegments } from './segments.js';
import { registerTemplates } from './templates.js';
import type { RegisterCommands } from './register.js';

/** Every capability's commands; each lives in its own file beside this one. */
export const commands: RegisterCommands[] = [registerCost, registerScoring, registerTemplates, registerScenarios, registerAnalytics, registerLake, registerChannels, registerSegments, registerBroadcasts, registerRecommendations, registerForms, registerPages, registerCrm];
