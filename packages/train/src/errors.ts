/**
 * Training stopped on a problem the caller should see: a non-finite loss, a
 * checkpoint that does not fit the model, an option out of range. The message
 * says where (epoch, batch) and repeats the values involved.
 */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';
}
