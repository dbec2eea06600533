/** Errors of broadcasts. Names are stable: logs and alarms match on them. */
import { ClientError } from '../shared/errors.js';

/** 409: the broadcast is not in a status the action applies to. */
export class BroadcastStateError extends ClientError {
  override name = 'BroadcastStateError';
  constructor(id: string, status: string, action: string) {
    super(409, `status: broadcast ${id} is ${status}; ${action} applies to ${action === 'pause' ? 'a running' : action === 'resume' ? 'a paused or stalled' : 'a running or paused'} broadcast`, { field: 'status', status });
  }
}
