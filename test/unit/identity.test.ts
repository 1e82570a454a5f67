import { describe, expect, it } from 'vitest';
import { creditCodeProblem, idNumberProblem, maskActor, maskPersonName, maskPhone, maskSubjectId } from '#shared/domain/identity.ts';

describe('GB 11643 resident ID numbers', () => {
  const today = '2026-11-22';
  it('accepts the examples published in the standard and real-looking numbers', () => {
    for (const id of ['11010519491231002X', '440524188001010014', '64010419900101123X', '640102199208150015']) expect(idNumberProblem(id, today)).toBeNull();
  });
  it('rejects a wrong check character', () => {
    expect(idNumberProblem('110105194912310021', today)).toBe('checksum');
    expect(idNumberProblem('640104199001011230', today)).toBe('checksum');
  });
  it('rejects impossible birth dates, future births, unknown provinces and bad formats', () => {
    expect(idNumberProblem('640104199002301234', today)).toBe('birthDate'); // 30 February
    expect(idNumberProblem('640104202701011234', today)).toBe('birthDate'); // not born yet
    expect(idNumberProblem('990104199001011234', today)).toBe('area');
    expect(idNumberProblem('64010419900101123x', today)).toBe('format'); // lower-case x
    expect(idNumberProblem('6401041990010112', today)).toBe('format');
  });
});

describe('GB 32100 unified social credit codes', () => {
  it('accepts the example of the standard and valid codes', () => {
    for (const code of ['91350100M000100Y43', '91110108551385082Q', '91640100MA76XY812D']) expect(creditCodeProblem(code)).toBeNull();
  });
  it('rejects a wrong check character and forbidden letters', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toBe('checksum');
    expect(creditCodeProblem('91350100M000100YI3')).toBe('format'); // I is never used
    expect(creditCodeProblem('91350100M000100Y4')).toBe('format');
  });
});

describe('masking', () => {
  it('keeps the area code and the last four characters of a number', () => {
    expect(maskSubjectId('64010419900101123X')).toBe('640104********123X');
    expect(maskSubjectId('91640100MA76XY812D')).toBe('916401********812D');
  });
  it('masks an actor that is an applicant’s number, letter-first credit codes too, except for the applicant', () => {
    expect(creditCodeProblem('Y1640100MA76XY812P')).toBeNull();
    expect(maskActor('Y1640100MA76XY812P')).toBe('Y16401********812P');
    expect(maskActor('Y1640100MA76XY812P', true)).toBe('Y1640100MA76XY812P');
    expect(maskActor('64010419900101123X')).toBe('640104********123X');
    expect(maskActor('officer-001')).toBe('officer-001');
  });
  it('keeps the first character of a name and the ends of a phone number', () => {
    expect(maskPersonName('马晓燕')).toBe('马**');
    expect(maskPersonName('欧阳娜娜')).toBe('欧***');
    expect(maskPhone('13995001234')).toBe('139****1234');
  });
});
