import {
  LimitExceededException,
  SendEmailCommand,
  SendingPausedException,
  type SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import type { OutgoingMail } from '../domain/model.js';
import type { Mailer } from '../domain/send.js';
import { MailRefusedError } from '../errors.js';

/** SES refusals after which the same mail may well be accepted later (as may any 5xx answer). */
function isPassing(err: unknown): boolean {
  return err instanceof TooManyRequestsException || err instanceof LimitExceededException || err instanceof SendingPausedException;
}

/** SES v2 SendEmail (simple content with custom headers). */
export class SesMailer implements Mailer {
  constructor(private readonly ses: SESv2Client) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    try {
      const res = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: mail.from,
          Destination: { ToAddresses: [mail.to] },
          ...(mail.replyTo ? { ReplyToAddresses: [mail.replyTo] } : {}),
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: mail.html, Charset: 'UTF-8' }, Text: { Data: mail.text, Charset: 'UTF-8' } },
              ...(mail.headers.length > 0 ? { Headers: mail.headers.map((h) => ({ Name: h.name, Value: h.value })) } : {}),
            },
          },
          EmailTags: Object.entries(mail.tags).map(([Name, Value]) => ({ Name, Value })),
          ...(mail.configurationSet ? { ConfigurationSetName: mail.configurationSet } : {}),
        }),
      );
      if (!res.MessageId) throw new MailRefusedError('SES answered without a message id', true);
      return { messageId: res.MessageId };
    } catch (err) {
      if (err instanceof MailRefusedError) throw err;
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // An HTTP answer means SES decided (and did not accept); no answer at all means we cannot know.
      if (status === undefined) throw err;
      throw new MailRefusedError(`${(err as Error).name}: ${(err as Error).message}`, isPassing(err) || status >= 500, { cause: err });
    }
  }
}
