/** The engine's public API. */
export { createEngine, type EngineContext, type EngineOptions, type EngineEvents } from './context.ts';
export { runImport } from './import/run-import.ts';
export { runSync } from './sync/run-sync.ts';
export { runExport, STAGING_KEY } from './export/run-export.ts';
export { runStep, runProfile, parseStepType } from './run/run-step.ts';
export { openProject, type Project } from './project.ts';
