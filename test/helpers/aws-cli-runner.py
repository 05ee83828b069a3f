"""Runs AWS CLI commands one after another in this one Python process.

test/helpers/aws-cli.ts starts it with the interpreter of the AWS CLI under test (Debian's
/usr/bin/aws), writes one JSON array of arguments a line (what follows `aws` on a command line),
and reads one JSON object a line back: the command's exit status and what it wrote to standard
output and standard error. Each command goes through the CLI's own entry point, exactly as
/usr/bin/aws runs it, with a session of its own; what is paid once is the interpreter start-up,
the module loading, and the reading of the service model files, which every session would
otherwise parse again (about half a second a command). The files are the same for every command,
so one loader (botocore's cache of them) serves every session.
"""
import io
import json
import os
import sys

if os.environ.get('LC_CTYPE', '') == 'UTF-8':
    os.environ['LC_CTYPE'] = 'en_US.UTF-8'

import awscli.clidriver  # noqa: E402
import botocore.loaders  # noqa: E402
import botocore.session  # noqa: E402

_loaders = {}


def _register_shared_data_loader(self):
    def loader():
        data_path = self.get_config_variable('data_path')
        if data_path not in _loaders:
            _loaders[data_path] = botocore.loaders.create_loader(data_path)
        return _loaders[data_path]

    self._components.lazy_register_component('data_loader', loader)


botocore.session.Session._register_data_loader = _register_shared_data_loader

# The protocol goes over the real standard output; each command writes into buffers of its own.
answers = os.fdopen(os.dup(sys.stdout.fileno()), 'w', encoding='utf-8')


def capture():
    return io.TextIOWrapper(io.BytesIO(), encoding='utf-8', errors='replace', write_through=True)


for line in sys.stdin:
    args = json.loads(line)
    out, err = capture(), capture()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        rc = awscli.clidriver.AWSCLIEntryPoint().main(args)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 255
    finally:
        out.flush()
        err.flush()
        sys.stdout, sys.stderr = saved
    answers.write(json.dumps({
        'rc': rc,
        'stdout': out.buffer.getvalue().decode('utf-8', 'replace'),
        'stderr': err.buffer.getvalue().decode('utf-8', 'replace'),
    }) + '\n')
    answers.flush()
