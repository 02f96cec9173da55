/** What the lab shows: a dataset, and a run of it (the live one, or a finished one from disk). */
export interface LabTarget {
  datasetPath?: string;
  runDir?: string;
}
