/** The ways an incident operation can fail that a caller can act on. */
export class IncidentResolvedError extends Error {
  readonly incidentId: number;

  constructor(incidentId: number) {
    super(`Incident ${incidentId} is resolved; there is nothing to acknowledge`);
    this.incidentId = incidentId;
    this.name = 'IncidentResolvedError';
  }
}
