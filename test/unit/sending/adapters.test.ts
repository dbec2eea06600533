import { SESv2Client, SendEmailCommand, MessageRejected, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { sendingConfigFromEnv } from '../../../functions/sending/adapters/env.js';
import { SesMailer } from '../../../functions/sending/adapters/ses-mailer.js';
import { MailRefusedError } from '../../../functions/sending/errors.js';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const mail = {
  from: '"Acme" <news@acme.example>',
  to: 'kim@example.com',
  subject: 'Hi',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: [{ name: 'List-Unsubscribe', value: '<https://api/v1/u/t>' }],
  tags: { sendId: 's_1' },
  configurationSet: 'nurture',
};
const meta = (status: number) => ({ $metadata: { httpStatusCode: status }, message: 'x' });

describe('SES mailer', () => {
  it('sends simple content with the unsubscribe headers, tags and configuration set', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    expect(await new SesMailer(new SESv2Client({})).send(mail)).toEqual({ messageId: 'm-1' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      FromEmailAddress: mail.from,
      Destination: { ToAddresses: ['kim@example.com'] },
      ConfigurationSetName: 'nurture',
      EmailTags: [{ Name: 'sendId', Value: 's_1' }],
      Content: { Simple: { Headers: [{ Name: 'List-Unsubscribe', Value: '<https://api/v1/u/t>' }] } },
    });
  });

  it('calls a rejected message a final refusal, throttling a retryable one', async () => {
    ses.on(SendEmailCommand).rejectsOnce(new MessageRejected(meta(400) as never)).rejectsOnce(new TooManyRequestsException(meta(429) as never));
    const mailer = new SesMailer(new SESv2Client({}));
    await expect(mailer.send(mail)).rejects.toMatchObject({ name: 'MailRefusedError', retryable: false });
    await expect(mailer.send(mail)).rejects.toMatchObject({ name: 'MailRefusedError', retryable: true });
  });

  it('treats a 5xx as a refusal worth retrying', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('internal'), { name: 'InternalFailure', ...meta(500) }));
    await expect(new SesMailer(new SESv2Client({})).send(mail)).rejects.toMatchObject({ retryable: true });
  });

  it('does not call a lost answer a refusal: the mail may have gone out', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} }));
    const err = await new SesMailer(new SESv2Client({})).send(mail).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(MailRefusedError);
    expect(err).toMatchObject({ name: 'TimeoutError' });
  });
});

describe('sending configuration from the environment', () => {
  const base = { SENDER_ADDRESS: 'news@acme.example', PUBLIC_API_URL: 'https://api.example.com/' };

  it('applies the documented defaults', () => {
    expect(sendingConfigFromEnv(base)).toEqual({
      senderAddress: 'news@acme.example',
      caps: { marketing: { perDay: 1, perWeek: 3 }, transactional: { perDay: 20, perWeek: 100 }, scenarios: {} },
      quietHours: { start: 21 * 60, end: 8 * 60 },
      defaultTimeZone: 'UTC',
      consentMode: 'opt-out',
      publicApiUrl: 'https://api.example.com',
    });
  });

  it('fails at cold start naming the bad variable', () => {
    expect(() => sendingConfigFromEnv({ ...base, SEND_CAPS: '{"marketing":{"perDay":"one"}}' })).toThrow(/SEND_CAPS: marketing\.perDay/);
    expect(() => sendingConfigFromEnv({ ...base, SEND_CAPS: '{nope' })).toThrow(/SEND_CAPS: not valid JSON/);
    expect(() => sendingConfigFromEnv({ ...base, QUIET_HOURS: '9-5' })).toThrow(/QUIET_HOURS/);
    expect(() => sendingConfigFromEnv({ ...base, DEFAULT_TIME_ZONE: 'Mars/Base' })).toThrow(/DEFAULT_TIME_ZONE/);
    expect(() => sendingConfigFromEnv({ PUBLIC_API_URL: base.PUBLIC_API_URL })).toThrow(/SENDER_ADDRESS/);
  });
});
